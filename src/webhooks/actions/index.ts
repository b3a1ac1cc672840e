// Every webhook action, by its kebab-case name. A Map, so "__proto__" or "constructor" is just unknown.
import type { Action } from "../registry";
import { createLicense, deleteLicense, grantLicense, updateLicense } from "./licenses";
import { revokeAllUserSessions, revokeSession, revokeWebhook } from "./sessions";
import { createUser, deleteUser, updateUser } from "./users";

export const ACTIONS: ReadonlyMap<string, Action> = new Map([
  ["create-user", createUser],
  ["update-user", updateUser],
  ["delete-user", deleteUser],
  ["create-license", createLicense],
  ["update-license", updateLicense],
  ["delete-license", deleteLicense],
  ["grant-license", grantLicense],
  ["revoke-session", revokeSession],
  ["revoke-all-user-sessions", revokeAllUserSessions],
  ["revoke-webhook", revokeWebhook],
]);
