// A browser sign-in link for the local host (App Service Authentication on): the host mints a single-use
// ticket for a valid access token (POST /.auth/lab/ticket), and the link opens a session in whichever
// browser follows it, then lands on `redirect` (a path on the host, e.g. "/api/ui#/runs/<id>").
// Lab only: Azure has no such endpoint; there the browser signs in at /.auth/login/aad with Entra ID.
export async function labSignInLink(hostUrl: string, accessToken: string, redirect = "/api/ui"): Promise<string> {
  const res = await fetch(new URL("/.auth/lab/ticket", hostUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ access_token: accessToken }),
  });
  const body = (await res.json().catch(() => ({}))) as { signIn?: string; message?: string };
  if (res.status !== 201 || !body.signIn)
    throw new Error(`POST /.auth/lab/ticket answered ${res.status}: ${body.message ?? "no sign-in link"}`);
  const link = new URL(body.signIn, hostUrl);
  link.searchParams.set("post_login_redirect_uri", redirect);
  return link.href;
}
