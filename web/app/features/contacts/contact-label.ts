/** How a contact is named on screen: their name, else their email, else "Unnamed contact". */
export const contactLabel = (c: { name: string | null; email: string | null }) =>
  c.name || c.email || "Unnamed contact";
