/** A simulator answer before it is written: Google errors already have this shape. */
export interface Reply {
  readonly httpStatus: number;
  readonly body: unknown;
}

export const ok = (body: unknown): Reply => ({ httpStatus: 200, body });
