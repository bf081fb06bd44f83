/**
 * Text people type (reasons, notes), and text other programs print (provisioner errors,
 * logins found at a target), as it goes into jitbot's mrkdwn. Slack reads `&`, `<` and `>`
 * as markup (`<!channel>`, `<@U…>`, `<https://…|label>`); as entities they show as typed.
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const LINE_BREAKS = /\s*[\n\r\v\f\u0085\u2028\u2029]+\s*/g;

/**
 * Such a text inside a line of jitbot's: escaped, and on one line, so it cannot start a line
 * of its own that reads like jitbot's ("*Approved by @lead*"); cut to `max` characters (before
 * escaping, so no entity is cut in half) where the message has little room.
 */
export function typedText(text: string, max = Infinity): string {
  const line = text.replace(LINE_BREAKS, ' ').trim();
  return escapeMrkdwn(line.length > max ? `${line.slice(0, max - 1)}…` : line);
}

/** Such a text as a field of its own: the label in bold, the text quoted beneath it. */
export function quotedField(label: string, text: string): string {
  return `*${label}*\n>${typedText(text)}`;
}
