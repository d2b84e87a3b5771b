/** What the workspace shares for writing: tags and saved replies. */
import {
  SavedReply,
  SavedReplyList,
  Tag,
  TagList,
  type SavedReplyInput,
  type UpdateSavedReplyInput,
  type UpdateTagInput,
} from "../../../worker/contract";
import { enc, type In, request } from "./client";

export const libraryApi = {
  tags: () => request("GET", "/api/tags", TagList),
  updateTag: (id: string, input: In<typeof UpdateTagInput>) =>
    request("PATCH", `/api/tags/${enc(id)}`, Tag, { body: input }),
  deleteTag: (id: string) => request("DELETE", `/api/tags/${enc(id)}`, null),

  savedReplies: () => request("GET", "/api/saved-replies", SavedReplyList),
  createSavedReply: (input: In<typeof SavedReplyInput>) =>
    request("POST", "/api/saved-replies", SavedReply, { body: input }),
  updateSavedReply: (id: string, input: In<typeof UpdateSavedReplyInput>) =>
    request("PATCH", `/api/saved-replies/${enc(id)}`, SavedReply, { body: input }),
  deleteSavedReply: (id: string) => request("DELETE", `/api/saved-replies/${enc(id)}`, null),
};
