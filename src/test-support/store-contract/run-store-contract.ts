import { describe } from "vitest";
import { campaignsContract } from "./campaigns.contract.js";
import { clusterContract } from "./cluster.contract.js";
import { type MakeStore, storeContext } from "./context.js";
import { deliveryRefsContract } from "./delivery-refs.contract.js";
import { enterpriseContract } from "./enterprise.contract.js";
import { ledgerContract } from "./ledger.contract.js";
import { ledgerReadsContract } from "./ledger-reads.contract.js";
import { messagesContract } from "./messages.contract.js";
import { messagesCancelContract } from "./messages-cancel.contract.js";
import { messagesNotifyingContract } from "./messages-notifying.contract.js";
import { messagesOutboxContract } from "./messages-outbox.contract.js";
import { messagesUnknownContract } from "./messages-unknown.contract.js";
import { persistenceContract } from "./persistence.contract.js";
import { registryContract } from "./registry.contract.js";
import { senderNoticesContract } from "./sender-notices.contract.js";
import { smppAccountsContract } from "./smpp-accounts.contract.js";
import { webhooksContract } from "./webhooks.contract.js";

export type { MakeStore, StoreHarness } from "./context.js";
export { CONTRACT_LEDGER_KEY } from "./fixtures.js";

/**
 * Declares the behaviour every Store implementation must show. `makeStore` is called before every test
 * and must return an empty store opened with CONTRACT_LEDGER_KEY; `cleanup` runs after the test. When
 * the harness offers `reopen`, persistence and two-connection checks run too.
 */
export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    const ctx = storeContext(makeStore);
    enterpriseContract(ctx);
    registryContract(ctx);
    ledgerContract(ctx);
    ledgerReadsContract(ctx);
    messagesContract(ctx);
    messagesOutboxContract(ctx);
    messagesNotifyingContract(ctx);
    messagesCancelContract(ctx);
    messagesUnknownContract(ctx);
    campaignsContract(ctx);
    webhooksContract(ctx);
    clusterContract(ctx);
    smppAccountsContract(ctx);
    deliveryRefsContract(ctx);
    senderNoticesContract(ctx);
    persistenceContract(ctx);
  });
}
