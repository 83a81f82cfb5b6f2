import type { Category } from "../shared/categories.js";

export type CampaignStatus = "scheduled" | "running" | "paused" | "cancelled" | "completed";

/** A batch send: one text to many recipients, decided recipient by recipient. */
export interface Campaign {
  id: string;
  senderId: string;
  signature: string;
  port: string;
  text: string;
  category: Category;
  status: CampaignStatus;
  scheduledAt: number | null;
  total: number;
  /** Recipients decided so far (index into the recipient list). */
  cursor: number;
  accepted: number;
  refusedByCode: Record<string, number>;
  createdAt: number;
  updatedAt: number;
  /** Node currently running it and until when (lease); null when none. */
  leaseOwner: string | null;
  leaseUntil: number | null;
}
