import type Database from "better-sqlite3";
import type { Allocation, Port } from "../../domain/sending-ports/port.js";
import type { PortStore } from "../../domain/sending-ports/port-store.port.js";
import { toAllocation, toPort } from "../sql-rows/registry-rows.js";
import { type Row, withConflicts } from "./sqlite-util.js";

const CONFLICTS = {
  "ports.id": "port id",
  "ports.number": "port number",
  "allocations.id": "allocation id",
  "allocations.port_id": "allocation",
};

function statements(db: Database.Database) {
  return {
    insertPort: db.prepare(
      "INSERT INTO ports (id, provider_id, number, categories, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    getPort: db.prepare("SELECT * FROM ports WHERE id = ?"),
    listPorts: db.prepare("SELECT * FROM ports ORDER BY created_at, id"),
    insertAllocation: db.prepare(
      `INSERT INTO allocations (id, port_id, enterprise_id, extension, signature_ids, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    listAllocations: db.prepare("SELECT * FROM allocations ORDER BY created_at, id"),
  };
}

type Statements = ReturnType<typeof statements>;

/** Sending ports and their allocations, in SQLite. */
export class SqlitePortStore implements PortStore {
  private readonly stmts: Statements;

  constructor(db: Database.Database) {
    this.stmts = statements(db);
  }

  async insertPort(p: Port): Promise<void> {
    withConflicts(
      () =>
        this.stmts.insertPort.run(p.id, p.providerId, p.number, JSON.stringify(p.categories), p.createdAt),
      CONFLICTS,
      "port",
    );
  }

  async getPort(id: string): Promise<Port | null> {
    const r = this.stmts.getPort.get(id) as Row | undefined;
    return r ? toPort(r) : null;
  }

  async listPorts(): Promise<Port[]> {
    return (this.stmts.listPorts.all() as Row[]).map(toPort);
  }

  async insertAllocation(a: Allocation): Promise<void> {
    withConflicts(
      () =>
        this.stmts.insertAllocation.run(
          a.id,
          a.portId,
          a.enterpriseId,
          a.extension,
          JSON.stringify(a.signatureIds),
          a.createdAt,
        ),
      CONFLICTS,
      "allocation",
    );
  }

  async listAllocations(): Promise<Allocation[]> {
    return (this.stmts.listAllocations.all() as Row[]).map(toAllocation);
  }
}
