// A verified caller, as the app's decisions use it (who requested, who approved): plain data, no I/O.
export interface Principal {
  /** Entra object id: the stable identity the audit and the two-person rule rely on. */
  oid: string;
  name: string;
  roles: string[];
  idp: string;
}
