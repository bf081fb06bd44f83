import { Duration } from 'luxon';
import type { Clock } from '../domain/clock.js';
import type { ExceptionRecord, GrantRecord, RequestRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { AccessRequestService } from './access-requests.js';
import type { DecisionService, WaitingRequest } from './decisions.js';
import type { OptOutService } from './opt-out.js';

/** What `/request list` and App Home show a person about themself. */
export interface OwnAccess {
  pending: readonly RequestRecord[];
  active: readonly GrantRecord[];
  exceptions: readonly ExceptionRecord[];
}

/** Everything App Home shows one person. */
export interface HomeContents {
  own: OwnAccess;
  /** What waits on their decision as an approver. */
  waiting: { requests: readonly WaitingRequest[]; exceptions: readonly ExceptionRecord[] };
}

/** Something changed: the people it concerns directly, and the requests and exceptions whose approvers it may concern. */
export interface HomeChange {
  /** The access rules changed: anyone's queue may have. */
  everyone?: boolean;
  users?: readonly string[];
  requests?: readonly RequestRecord[];
  exceptions?: readonly ExceptionRecord[];
}

/**
 * A person who has not opened App Home for this long is not redrawn on changes: opening it
 * draws it afresh anyway.
 */
const VIEWER_WINDOW = Duration.fromObject({ days: 30 });

/** Whether any item passes an asynchronous test, asking one at a time and stopping at the first. */
async function someOf<T>(items: readonly T[] | undefined, test: (item: T) => boolean | Promise<boolean>): Promise<boolean> {
  for (const item of items ?? []) if (await test(item)) return true;
  return false;
}

/** App Home's use cases: what a person sees there, and whose home a change concerns. */
export function createHomeService(deps: {
  store: Pick<Store, 'homeOpened' | 'homeViewersSince'>;
  accessRequests: Pick<AccessRequestService, 'list'>;
  optOut: Pick<OptOutService, 'list' | 'waitingOn' | 'concerns'>;
  decisions: Pick<DecisionService, 'waitingOn' | 'concerns'>;
  clock: Clock;
}) {
  const { store, clock } = deps;
  const own = async (userId: string): Promise<OwnAccess> => ({ ...(await deps.accessRequests.list(userId)), exceptions: await deps.optOut.list(userId) });

  return {
    own,

    /** The person opened App Home: from now on, changes concerning them redraw it. */
    async opened(userId: string): Promise<void> {
      await store.homeOpened(userId, clock.now().toMillis());
    },

    async contents(userId: string): Promise<HomeContents> {
      const [requests, exceptions] = await Promise.all([deps.decisions.waitingOn(userId), deps.optOut.waitingOn(userId)]);
      return { own: await own(userId), waiting: { requests, exceptions } };
    },

    /** Whose App Home shows something this change touches; only people who use App Home. */
    async audience(change: HomeChange): Promise<string[]> {
      const direct = new Set(change.users);
      const concerns = async (viewer: string) =>
        change.everyone === true ||
        direct.has(viewer) ||
        (await someOf(change.requests, (request) => request.requesterId === viewer || deps.decisions.concerns(request, viewer))) ||
        (await someOf(change.exceptions, (exception) => deps.optOut.concerns(exception, viewer)));
      const concerned: string[] = [];
      for (const viewer of await store.homeViewersSince(clock.now().minus(VIEWER_WINDOW).toMillis())) {
        if (await concerns(viewer)) concerned.push(viewer);
      }
      return concerned.sort();
    },
  };
}

export type HomeService = ReturnType<typeof createHomeService>;
