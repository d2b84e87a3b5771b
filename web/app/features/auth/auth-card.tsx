/** The centred card the sign-in and first-run pages share. */
import type { ComponentChildren } from "preact";
import { BrandMark } from "../../components/icons";

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
            <BrandMark />
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
