import type { LoadedPolicy } from '../config/load-policy.js';
import type { AccessRequestService } from '../services/access-requests.js';
import type { BreakGlassService } from '../services/break-glass.js';
import type { DeliveryLog } from '../services/deliveries.js';
import type { DecisionService } from '../services/decisions.js';
import type { EndAccessService } from '../services/end-access.js';
import type { ExtensionService } from '../services/extension.js';
import type { HomeService } from '../services/home.js';
import type { MessageLane } from '../services/message-lane.js';
import type { OptOutService } from '../services/opt-out.js';
import type { ReviewService } from '../services/review.js';
import type { RevokeAll } from '../services/revoke-all.js';
import type { Directory, Log } from '../services/ports.js';
import type { HomeTab } from './home-tab.js';

/** What the Slack edge may call: use cases, never the store. */
export interface SlackServices {
  policy: () => LoadedPolicy;
  accessRequests: AccessRequestService;
  breakGlass: BreakGlassService;
  decisions: DecisionService;
  /** Which deliveries were seen already (replays, Slack's redeliveries). */
  deliveries: DeliveryLog;
  endAccess: EndAccessService;
  extension: ExtensionService;
  home: HomeService;
  /** Draws a person's App Home, and answers clicks made there. */
  homeTab: Pick<HomeTab, 'publish'>;
  optOut: OptOutService;
  reviews: ReviewService;
  revokeAll: RevokeAll;
  directory: Pick<Directory, 'userProfile'>;
  /** Where the work after a command's or click's ack waits its turn. */
  followUps: Pick<MessageLane, 'send'>;
  log: Log;
}
