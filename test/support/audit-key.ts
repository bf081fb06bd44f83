/** AUDIT_HMAC_KEY of every test bot, store and CLI run. */
export const TEST_AUDIT_KEY = 'test-audit-hmac-key-0123456789abcdef';
