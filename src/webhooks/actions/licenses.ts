// Webhook actions on licenses: create-license, update-license, delete-license, grant-license.
import { t } from "elysia";
import { createLicenseIn, deleteLicenseIn, updateLicenseIn } from "../../licenses/service";
import { findOrCreateUserIn, toPublicUser } from "../../users/service";
import { Email, Id, Name, ProductId, ProductName, Seats, STRICT, ValidUntil } from "../model";
import { defineAction } from "../registry";
import { mailPasswordLinkIn } from "../../passwords/service";

export const createLicense = defineAction(
  t.Object(
    { userId: Id, productId: ProductId, productName: t.Optional(ProductName), seats: Seats, validUntil: ValidUntil },
    STRICT,
  ),
  async (tx, { deps, actor }, p) => {
    const license = await createLicenseIn(tx, deps, p, { actor });
    return { response: { license }, userId: license.userId, detail: { licenseId: license.id } };
  },
);

export const updateLicense = defineAction(
  t.Object(
    {
      licenseId: Id,
      productId: t.Optional(ProductId),
      // null clears the name (the id is shown again)
      productName: t.Optional(t.Union([ProductName, t.Null()])),
      seats: t.Optional(Seats),
      validUntil: t.Optional(ValidUntil),
    },
    STRICT,
  ),
  async (tx, { deps, actor }, { licenseId, ...changes }) => {
    const { license, changed, revokedSessions } = await updateLicenseIn(tx, deps, licenseId, changes, { actor });
    return {
      response: { license, changed, revokedSessions },
      userId: license.userId,
      detail: { licenseId, changed, revokedSessions },
    };
  },
);

export const deleteLicense = defineAction(
  t.Object({ licenseId: Id }, STRICT),
  async (tx, { deps, actor }, { licenseId }) => {
    const { license, revokedSessions } = await deleteLicenseIn(tx, deps, licenseId, { actor });
    return {
      response: { licenseId, deleted: true, revokedSessions },
      userId: license.userId,
      detail: { licenseId, revokedSessions },
    };
  },
);

/** One call after a purchase: the user (created and mailed a set-password link if new) plus the license. */
export const grantLicense = defineAction(
  t.Object(
    {
      email: Email,
      name: Name,
      productId: ProductId,
      productName: t.Optional(ProductName),
      seats: Seats,
      validUntil: ValidUntil,
    },
    STRICT,
  ),
  async (tx, { deps, actor }, p) => {
    const { user, created } = await findOrCreateUserIn(tx, deps, p);
    const license = await createLicenseIn(tx, deps, { ...p, userId: user.id }, { actor });
    if (created) await mailPasswordLinkIn(tx, deps, user);
    return {
      response: { user: toPublicUser(user), license, userCreated: created },
      userId: user.id,
      detail: { licenseId: license.id, userCreated: created },
    };
  },
);
