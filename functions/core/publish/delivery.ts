/**
 * Delivery ids: what the delivery ledger is keyed by, together with the subscriber. A delivery is one
 * mail's worth of content; today that is one digest, later an edition of several digests. Every id is
 * made by a function here, so what a delivery id means is decided in one place.
 */

/**
 * Identifies one delivery in the ledger. Branded so that a bare digest id (or any string) cannot be
 * passed where a delivery id is meant: it has to come from one of the functions below.
 */
export type DeliveryId = string & { readonly __brand: 'DeliveryId' };

/**
 * The delivery id of the mail that carries one digest on its own: the digest id itself. That is what
 * the ledger held before deliveries had their own ids (the DynamoDB item's `digestId` attribute, the
 * JSON ledger's `digestId` field), so existing ledgers keep working with no migration, and no digest
 * already mailed is mailed again. An edition's id will need a form no digest id can take.
 */
export function deliveryIdForDigest(digestId: string): DeliveryId {
  return digestId as DeliveryId;
}
