import { isDeepStrictEqual } from 'node:util';
import type { WebClient } from '@slack/web-api';
import pLimit from 'p-limit';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../domain/clock.js';
import type { HomeChange, HomeService } from '../services/home.js';
import type { Directory, Log, Metrics } from '../services/ports.js';
import type { ExceptionRecord, RequestRecord } from '../domain/records.js';
import { slackErrorCode, withSlackRetry } from './slack-retry.js';
import { homeView } from './views/home.js';
import { readerZone } from './reader-zone.js';

/** Changes arriving this close together redraw each home once. */
const COALESCE_MS = 300;
/** How many times a home is drawn again when it changed while being drawn (another replica's change). */
const REDRAWS_IF_CHANGED = 3;
/** views.publish calls in flight at once. */
const PUBLISHING = 4;

/**
 * Draws App Home (`views.publish`) for one person, and redraws the homes a change concerns,
 * a moment after it, once for a burst of changes. Never throws: a refused publish is logged.
 */
export function createHomeTab(deps: {
  client: WebClient;
  /** A getter: the home service is built after the notifier that feeds this tab. */
  home: () => Pick<HomeService, 'contents' | 'audience'>;
  directory: Pick<Directory, 'userProfile'>;
  policy: () => Policy;
  metrics: Pick<Metrics, 'slackError'>;
  clock: Clock;
  log: Log;
}) {
  const { log } = deps;
  const publishing = pLimit(PUBLISHING);

  /**
   * Draws the person's home now; `notice` answers a click made there.
   *
   * Replicas redraw homes apart, each from what it read: a publish from older data that lands
   * after a fresher one would leave the home stale. So once a publish is done the contents are
   * read again and drawn again if they changed meanwhile. The last publish to land is then
   * followed by a read of what was committed, and anything committed after that read is redrawn
   * by the replica that committed it: homes end up current with no lock or lease across replicas.
   */
  async function publish(userId: string, notice?: string): Promise<void> {
    try {
      const zone = await readerZone(deps.directory, deps.policy(), userId);
      let contents = await deps.home().contents(userId);
      for (let round = 0; round < REDRAWS_IF_CHANGED; round += 1) {
        const view = homeView(contents, { now: deps.clock.now().toMillis(), zone, notice });
        await withSlackRetry(() => deps.client.views.publish({ user_id: userId, view }));
        const after = await deps.home().contents(userId);
        if (isDeepStrictEqual(after, contents)) return;
        contents = after;
      }
    } catch (error) {
      deps.metrics.slackError('views.publish', slackErrorCode(error) ?? 'request_failed');
      log.warn({ err: error, userId }, 'could not draw App Home');
    }
  }

  let everyone = false;
  let users = new Set<string>();
  let requests = new Map<string, RequestRecord>();
  let exceptions = new Map<string, ExceptionRecord>();
  let timer: NodeJS.Timeout | undefined;
  let redrawing: Promise<void> = Promise.resolve();

  async function redraw(change: HomeChange): Promise<void> {
    try {
      const audience = await deps.home().audience(change);
      await Promise.all(audience.map((userId) => publishing(() => publish(userId))));
    } catch (error) {
      log.warn({ err: error }, 'could not work out whose App Home to redraw');
    }
  }

  function flush(): void {
    timer = undefined;
    const change: HomeChange = { everyone, users: [...users], requests: [...requests.values()], exceptions: [...exceptions.values()] };
    everyone = false;
    users = new Set();
    requests = new Map();
    exceptions = new Map();
    redrawing = redrawing.then(() => redraw(change));
  }

  return {
    publish,

    /** Something changed: the homes it concerns are redrawn shortly. */
    changed(change: HomeChange): void {
      everyone ||= change.everyone === true;
      for (const user of change.users ?? []) users.add(user);
      for (const request of change.requests ?? []) requests.set(request.id, request);
      for (const exception of change.exceptions ?? []) exceptions.set(exception.id, exception);
      if (timer === undefined) timer = setTimeout(flush, COALESCE_MS).unref();
    },

    /** Redraws what is waiting, then stops: for a graceful shutdown. */
    async stop(): Promise<void> {
      if (timer !== undefined) {
        clearTimeout(timer);
        flush();
      }
      await redrawing;
    },
  };
}

export type HomeTab = ReturnType<typeof createHomeTab>;
