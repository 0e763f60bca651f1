// What host.json allows one function invocation, as the configuration checks need it. The app cannot read
// host.json in Azure, so the value is kept here too; test/unit/config.test.ts fails when the two differ.

/** host.json `functionTimeout` ("00:10:00"): an activity running longer is cut off and retried. */
export const HOST_FUNCTION_TIMEOUT_SECONDS = 600;

/**
 * What one ARM read may take in the estimates below. The SDK sets no request timeout and retries on its own,
 * so this is an allowance, not a bound: it keeps a configuration from planning right up to the limit.
 */
export const ARM_CALL_ALLOWANCE_SECONDS = 30;
