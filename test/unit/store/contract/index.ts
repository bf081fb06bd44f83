/**
 * The store contract: one suite that every Store adapter runs against itself (the model is
 * Teleport's backend compliance suite), each concern a named group of cases, with a second
 * store on the same database wherever two processes or replicas could race.
 */
import { afterEach, describe } from 'node:test';
import { approvalCases } from './approvals.js';
import { auditCases } from './audit.js';
import { breakGlassCases } from './break-glass.js';
import { concurrencyCases } from './concurrency.js';
import { deliveryCases } from './deliveries.js';
import { driftCases } from './drift.js';
import { exceptionCases } from './exceptions.js';
import { grantCases } from './grants.js';
import type { ContractDatabase, OpenStores } from './harness.js';
import { leaseCases } from './leases.js';
import { homeViewerCases, policyVersionCases } from './policy-and-home.js';
import { requestCases } from './requests.js';
import { reviewCases } from './reviews.js';
import { schemaCases } from './schema.js';

export type { ContractDatabase, OpenStores } from './harness.js';

export function runStoreContract(adapterName: string, openStores: OpenStores): void {
  describe(`store contract: ${adapterName}`, () => {
    // Closed after each case, so a suite of many cases never holds many connections.
    const opened: { close(): Promise<void> }[] = [];
    afterEach(async () => {
      for (const database of opened.splice(0)) await database.close();
    });
    const fresh = async (): Promise<ContractDatabase> => {
      const database = await openStores();
      opened.push(database);
      return database;
    };
    requestCases(fresh);
    approvalCases(fresh);
    grantCases(fresh);
    exceptionCases(fresh);
    breakGlassCases(fresh);
    reviewCases(fresh);
    driftCases(fresh);
    auditCases(fresh);
    deliveryCases(fresh);
    policyVersionCases(fresh);
    homeViewerCases(fresh);
    concurrencyCases(fresh);
    leaseCases(fresh);
    schemaCases(fresh);
  });
}
