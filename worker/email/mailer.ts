import { strictEmail } from "./send-rules";

declare global {
  interface Env {
    /** Set only in tests (vitest.config.ts): the EMAIL binding then refuses what production refuses. */
    EMAIL_STRICT?: string;
  }
}

/** The one place the worker takes its outgoing-mail binding from. */
export function mailer(env: Pick<Env, "EMAIL" | "EMAIL_STRICT">): SendEmail {
  return env.EMAIL_STRICT ? strictEmail(env.EMAIL) : env.EMAIL;
}
