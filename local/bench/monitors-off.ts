// The app's two minute-timers (the lag sampler and the fence watch) each sweep every server of every configured pair
// once a minute. On a lab of 26 pairs that sweep is a second of both cores, landing inside a sample at random: the
// bench turns them off, as an operator can (AzureWebJobs.<name>.Disabled; the local host honours it like Azure).
export const MONITORS_OFF: Record<string, string> = {
  "AzureWebJobs.lag-sampler.Disabled": "true",
  "AzureWebJobs.fence-watch.Disabled": "true",
};
