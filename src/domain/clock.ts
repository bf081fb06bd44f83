import { DateTime } from 'luxon';

/** Where "now" comes from. Services take a Clock so tests can pin or move time. */
export interface Clock {
  now(): DateTime;
}

export const systemClock: Clock = {
  now: () => DateTime.utc(),
};
