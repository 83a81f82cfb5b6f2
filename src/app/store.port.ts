import type { CampaignStore } from "../domain/campaigns/campaign-store.port.js";
import type { ClusterStore } from "../domain/cluster/cluster-store.port.js";
import type { LedgerStore } from "../domain/consent/ledger-store.port.js";
import type { DeliveryStore } from "../domain/delivery/delivery-store.port.js";
import type { EnterpriseStore } from "../domain/enterprises/enterprise-store.port.js";
import type { MessageStore } from "../domain/messages/message-store.port.js";
import type { PortStore } from "../domain/sending-ports/port-store.port.js";
import type { SignatureStore } from "../domain/signatures/signature-store.port.js";
import type { SmppAccountStore } from "../domain/smpp/smpp-account-store.port.js";
import type { WebhookStore } from "../domain/webhooks/webhook-store.port.js";

/** Every store anning uses, from one backing (SQLite file, later PostgreSQL). */
export interface Store {
  readonly kind: string;
  enterprises: EnterpriseStore;
  signatures: SignatureStore;
  ports: PortStore;
  ledger: LedgerStore;
  messages: MessageStore;
  campaigns: CampaignStore;
  webhooks: WebhookStore;
  cluster: ClusterStore;
  /** Upstream references of parts in flight (receipt matching) and the notices queued for senders. */
  delivery: DeliveryStore;
  /** SMPP logins of enterprises. */
  smppAccounts: SmppAccountStore;
  /** Housekeeping a long-running node repeats (daily): e.g. creating the coming months' partitions. */
  maintain?(now: number): Promise<void>;
  /** Cheap liveness check for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
