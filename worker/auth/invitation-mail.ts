/** Sends the invitation by mail when mail is set up; a failure never fails the invitation (the admin has the link). */
export async function mailInvitation(
  env: Pick<Env, "EMAIL" | "EMAIL_FROM">,
  to: string,
  workspace: string,
  inviter: string,
  url: string,
): Promise<boolean> {
  if (!env.EMAIL || !env.EMAIL_FROM) return false;
  try {
    await env.EMAIL.send({
      from: env.EMAIL_FROM,
      to,
      // Names are free text: no line breaks or other control characters in a header.
      subject: `${inviter} invited you to ${workspace} on Switchboard`.replace(/\p{Cc}+/gu, " "),
      text: `${inviter} invited you to join ${workspace} on Switchboard.\n\nChoose your name and password here (the link works once, for seven days):\n${url}\n`,
    });
    return true;
  } catch (error) {
    console.warn("invitation email not sent", to, error);
    return false;
  }
}
