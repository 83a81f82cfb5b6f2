import type { Allocation, Port } from "./port.js";

/** Persistence of sending ports and their allocations. */
export interface PortStore {
  /** Throws StoreConflictError when the number is already registered. */
  insertPort(p: Port): Promise<void>;
  getPort(id: string): Promise<Port | null>;
  listPorts(): Promise<Port[]>;
  /** Throws StoreConflictError when the same port+extension is already allocated to the same enterprise. */
  insertAllocation(a: Allocation): Promise<void>;
  listAllocations(): Promise<Allocation[]>;
}
