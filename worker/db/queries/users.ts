import type { User } from "../../contract";
import type { users } from "../schema";

/** A user row as the contract's `User`. */
export const toUser = (u: Pick<typeof users.$inferSelect, "id" | "name" | "email" | "role">): User => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
});
