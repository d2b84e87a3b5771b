/**
 * Admin settings, one tab each: Team (people and their inbox access), Inboxes,
 * Teams, Rules (auto-assignment), Tags, Saved replies and Webhooks. The tab is in the
 * URL (`/settings?tab=tags`); without one, a fresh workspace opens on Inboxes
 * (the first thing to create), any other on Team.
 */
import { useEffect, useState } from "preact/hooks";
import type { Inbox, TeamMember } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link, useLocation } from "../../../lib/router";
import { EmptyState, ErrorNotice, Loading } from "../../components/ui";
import { useSession } from "../../session";
import { InboxesTab } from "./inboxes-tab";
import { RulesTab } from "./rules-tab";
import { SavedRepliesTab } from "./saved-replies-tab";
import { TagsTab } from "./tags-tab";
import { TeamTab } from "./team-tab";
import { TeamsTab } from "./teams-tab";
import { WebhooksTab } from "./webhooks-tab";
import { useResource } from "../../hooks/resource";
import { canAdminister } from "../../../../worker/domain/access";

const TABS = [
  { id: "team", label: "Team" },
  { id: "inboxes", label: "Inboxes" },
  { id: "teams", label: "Teams" },
  { id: "rules", label: "Rules" },
  { id: "tags", label: "Tags" },
  { id: "saved-replies", label: "Saved replies" },
  { id: "webhooks", label: "Webhooks" },
] as const;
type TabId = (typeof TABS)[number]["id"];

const isTab = (v: string | null): v is TabId => TABS.some((t) => t.id === v);

export function SettingsPage() {
  const { me } = useSession();
  const location = useLocation();
  const [fallbackTab, setFallbackTab] = useState<TabId | null>(null);
  const loaded = useResource(canAdminister(me.user.role) ? "settings" : null, async () => {
    const [i, u] = await Promise.all([api.inboxes(), api.users()]);
    // Decided once: creating the first inbox must not switch tabs under the admin.
    setFallbackTab((t) => t ?? (i.items.length === 0 ? "inboxes" : "team"));
    return { inboxes: i.items, users: u.items };
  });
  const inboxes = loaded.data?.inboxes ?? null;
  const users = loaded.data?.users ?? null;
  const error = loaded.error;
  const setUsers = (next: TeamMember[]) => loaded.mutate((d) => ({ ...d, users: next }));
  const setInboxes = (next: Inbox[]) => loaded.mutate((d) => ({ ...d, inboxes: next }));
  useEffect(() => {
    document.title = "Settings · Switchboard";
  }, []);

  if (!canAdminister(me.user.role)) {
    return (
      <section class="settings-page">
        <EmptyState title="Only admins can change settings" testid="settings-forbidden" icon="lock">
          <p>Ask an admin of {me.workspace.name} if something needs changing.</p>
          <p>
            Your own name, time zone and notifications are in <Link href="/profile">your profile</Link>.
          </p>
        </EmptyState>
      </section>
    );
  }

  const asked = location.query.get("tab");
  const tab: TabId = isTab(asked) ? asked : (fallbackTab ?? "team");
  const counts: Partial<Record<TabId, number>> = { team: users?.length, inboxes: inboxes?.length };

  return (
    <section class="settings-page" data-testid="settings-page" data-tab={tab}>
      <header class="page-head">
        <div>
          <h1>Settings</h1>
          <p class="page-sub">{me.workspace.name}</p>
        </div>
      </header>
      <nav class="tabs" aria-label="Settings">
        {TABS.map((t) => (
          <Link
            key={t.id}
            href={`/settings?tab=${t.id}`}
            aria-current={t.id === tab ? "page" : undefined}
            class={`tab${t.id === tab ? " active" : ""}`}
            data-testid={`settings-tab-${t.id}`}
          >
            {t.label}
            {counts[t.id] !== undefined && <span class="tab-count">{counts[t.id]}</span>}
          </Link>
        ))}
      </nav>
      {error ? (
        <ErrorNotice error={error} onRetry={() => void loaded.reload()} />
      ) : !inboxes || !users ? (
        <Loading label="Loading settings…" />
      ) : (
        <div class="settings-stack">
          {tab === "team" && <TeamTab inboxes={inboxes} users={users} onUsersChange={setUsers} />}
          {tab === "inboxes" && (
            <InboxesTab
              inboxes={inboxes}
              onCreated={(inbox) => setInboxes([...inboxes, inbox])}
              onUpdated={(inbox) => setInboxes(inboxes.map((i) => (i.id === inbox.id ? inbox : i)))}
            />
          )}
          {tab === "teams" && <TeamsTab users={users} />}
          {tab === "rules" && <RulesTab inboxes={inboxes} users={users} />}
          {tab === "tags" && <TagsTab />}
          {tab === "saved-replies" && <SavedRepliesTab />}
          {tab === "webhooks" && <WebhooksTab />}
        </div>
      )}
    </section>
  );
}
