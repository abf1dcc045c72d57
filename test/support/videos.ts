/** A video job as `/v1/videos` routes answer it (the fields the video suites read). */
import type { ReceiptBody } from '../../shared/receipts/index.ts';

export interface VideoBody {
  id: string;
  status: string;
  progress: number;
  url: string | null;
  error: { code: string; message: string } | null;
  receipt?: ReceiptBody;
  refund?: { status: string; amount_wei: string; reason: string };
}
