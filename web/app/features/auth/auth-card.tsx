/** The centred card the sign-in and first-run pages share. */
import type { ComponentChildren } from "preact";

export function AuthCard({
  title,
  subtitle,
  children,
  testid,
}: {
  title: string;
  subtitle?: string;
  children: ComponentChildren;
  testid: string;
}) {
  return (
    <div class="auth-page" data-testid={testid}>
      <div class="auth-card">
        <div class="auth-brand">
          <span class="brand-mark" aria-hidden="true">
            <svg viewBox="0 0 20 20">
              <circle cx="5" cy="6" r="2.2" />
              <circle cx="15" cy="6" r="2.2" />
              <circle cx="10" cy="14" r="2.2" />
              <path d="M5 6 10 14 15 6" fill="none" stroke="currentColor" stroke-width="1.6" />
            </svg>
          </span>
          Switchboard
        </div>
        <h1>{title}</h1>
        {subtitle && <p class="auth-sub">{subtitle}</p>}
        {children}
      </div>
    </div>
  );
}
