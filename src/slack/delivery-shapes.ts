import { z } from 'zod';

/**
 * The shapes of what Slack sends, as far as Bolt and our listeners read them. A signed body
 * of another shape is refused 400 before Bolt, whose routing dereferences these fields
 * unchecked (a `team` of null, `actions: false`) and would otherwise answer 500.
 */
const id = z.string().min(1);
const team = z.looseObject({ id }).nullable().optional();
const user = z.looseObject({ id });
const responseUrl = z.url({ protocol: /^https?$/ });

const command = z.looseObject({
  command: z.string().startsWith('/'),
  text: z.string(),
  user_id: id,
  team_id: id,
  channel_id: id,
  response_url: responseUrl,
  trigger_id: id,
});

const blockActions = z.looseObject({
  type: z.literal('block_actions'),
  user,
  team,
  trigger_id: id,
  actions: z.array(z.looseObject({ action_id: z.string(), block_id: z.string().optional(), type: z.string(), value: z.string().optional() })).min(1),
  container: z.looseObject({ type: z.string() }).optional(),
  channel: z.looseObject({ id }).optional(),
  message: z.looseObject({ ts: z.string() }).optional(),
  view: z.looseObject({ id, type: z.string() }).optional(),
  response_url: responseUrl.optional(),
});

const view = z.looseObject({
  id,
  callback_id: z.string(),
  private_metadata: z.string().optional(),
  state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({ type: z.string().optional() }))) }).optional(),
});
const viewPayload = z.looseObject({ type: z.enum(['view_submission', 'view_closed']), user, team, view });

/** Interactions we have no listener for still need what Bolt's routing reads. */
const otherInteraction = z.looseObject({ type: z.string(), user: user.optional(), team, channel: z.looseObject({ id }).nullable().optional() });

const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: id.optional(),
  api_app_id: z.string().optional(),
  event_id: id,
  event_time: z.number().optional(),
  event: z.looseObject({ type: z.string(), user: z.union([id, user]).optional(), channel: z.union([z.string(), z.looseObject({ id })]).optional() }),
});
const urlVerification = z.looseObject({ type: z.literal('url_verification'), challenge: z.string() });
const otherJson = z.looseObject({ type: z.string() });

/** Which schema a parsed body must meet, classified in the order Bolt routes it (helpers.getTypeAndConversation). */
function schemaFor(body: unknown): z.ZodType {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return z.never({ error: 'expected a JSON object or form' });
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(body));
  const has = (key: string) => fields[key] !== undefined;
  const type = fields['type'];
  if (has('event')) return eventCallback;
  if (has('command')) return command;
  if (has('name') || type === 'block_suggestion') return otherInteraction;
  if (has('actions') || type === 'dialog_submission') return blockActions;
  if (type === 'view_submission' || type === 'view_closed') return viewPayload;
  if (type === 'url_verification') return urlVerification;
  if (has('user') || has('team') || has('trigger_id')) return otherInteraction;
  return otherJson;
}

/** Undefined when the body has a shape Slack sends; otherwise the paths that do not (never the values). */
export function shapeProblems(body: unknown): string[] | undefined {
  const result = schemaFor(body).safeParse(body);
  return result.success ? undefined : result.error.issues.slice(0, 5).map((issue) => issue.path.join('.') || 'body');
}
