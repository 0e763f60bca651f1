// ARM SDK clients are bound to a subscription; a pair may span several. One client per subscription,
// created on first use and kept (each holds its own HTTP pipeline and token cache).
export function perSubscription<C>(create: (subscriptionId: string) => C): (subscriptionId: string) => C {
  const clients = new Map<string, C>();
  return (subscriptionId) => {
    let c = clients.get(subscriptionId);
    if (!c) {
      c = create(subscriptionId);
      clients.set(subscriptionId, c);
    }
    return c;
  };
}
