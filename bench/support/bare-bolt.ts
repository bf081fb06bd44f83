/**
 * The baseline for the ack benchmark: a Bolt app on the same receiver as jitbot (HTTPReceiver
 * on /slack/events, signature checks included) whose handlers only ack. Run as its own
 * process: `tsx bench/support/bare-bolt.ts <port> <signing secret> <Slack API URL>`.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const [port = '0', signingSecret = '', slackApiUrl = ''] = process.argv.slice(2);
const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events' });
// Told who it is (as the fake Slack's auth.test answers), so it never asks Slack: it only acks.
const app = new App({ token: 'xoxb-bench-token', botId: 'B0BOT', botUserId: 'U0BOT', receiver, clientOptions: { slackApiUrl }, tokenVerificationEnabled: false, logLevel: LogLevel.ERROR });
app.command('/request', async ({ ack }) => {
  await ack();
});
app.action('approve', async ({ ack }) => {
  await ack();
});
await app.start(Number(port));
process.stdout.write('ready\n');
