import type { Allocation, Port } from "../../domain/sending-ports/port.js";
import type { PortStore } from "../../domain/sending-ports/port-store.port.js";
import { toAllocation, toPort } from "../sql-rows/registry-rows.js";
import { type PgPool, type Row, withConflicts } from "./pg-util.js";

/** Unique constraint or index → the `what` of the StoreConflictError (as SQLite names them). */
const CONFLICTS = {
  ports_pkey: "port id",
  ports_number: "port number",
  allocations_pkey: "allocation id",
  allocations_port_ext_ent: "allocation",
};

/** The statements, named so each connection prepares them once. */
const SQL = {
  insertPort: {
    name: "port.insertPort",
    text: "INSERT INTO ports (id, provider_id, number, categories, created_at) VALUES ($1, $2, $3, $4, $5)",
  },
  getPort: { name: "port.getPort", text: "SELECT * FROM ports WHERE id = $1" },
  listPorts: { name: "port.listPorts", text: "SELECT * FROM ports ORDER BY created_at, id" },
  insertAllocation: {
    name: "port.insertAllocation",
    text: `INSERT INTO allocations (id, port_id, enterprise_id, extension, signature_ids, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
  },
  listAllocations: {
    name: "port.listAllocations",
    text: "SELECT * FROM allocations ORDER BY created_at, id",
  },
} as const;

/** Sending ports and their allocations, in PostgreSQL. */
export class PgPortStore implements PortStore {
  constructor(private readonly pool: PgPool) {}

  async insertPort(p: Port): Promise<void> {
    await withConflicts(
      () =>
        this.pool.query({
          ...SQL.insertPort,
          values: [p.id, p.providerId, p.number, JSON.stringify(p.categories), p.createdAt],
        }),
      CONFLICTS,
      "port",
    );
  }

  async getPort(id: string): Promise<Port | null> {
    const r = (await this.pool.query({ ...SQL.getPort, values: [id] })).rows[0] as Row | undefined;
    return r ? toPort(r) : null;
  }

  async listPorts(): Promise<Port[]> {
    return ((await this.pool.query(SQL.listPorts)).rows as Row[]).map(toPort);
  }

  async insertAllocation(a: Allocation): Promise<void> {
    await withConflicts(
      () =>
        this.pool.query({
          ...SQL.insertAllocation,
          values: [a.id, a.portId, a.enterpriseId, a.extension, JSON.stringify(a.signatureIds), a.createdAt],
        }),
      CONFLICTS,
      "allocation",
    );
  }

  async listAllocations(): Promise<Allocation[]> {
    return ((await this.pool.query(SQL.listAllocations)).rows as Row[]).map(toAllocation);
  }
}
