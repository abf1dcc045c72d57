/**
 * A minimal H.264 (Baseline) encoder: every picture is an IDR slice whose macroblocks are all I_PCM, i.e. raw
 * 8-bit 4:2:0 samples behind a few header bits. No transform, no prediction, no entropy coding of samples —
 * large for real video, but a conforming bitstream any decoder plays, written in a hundred lines.
 */

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  bit(value: number): void {
    this.current = (this.current << 1) | (value & 1);
    this.used += 1;
    if (this.used === 8) {
      this.bytes.push(this.current);
      this.current = 0;
      this.used = 0;
    }
  }

  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.bit((value >>> i) & 1);
  }

  /** Unsigned Exp-Golomb, ue(v). */
  ue(value: number): void {
    const code = value + 1;
    const length = Math.floor(Math.log2(code));
    this.bits(0, length);
    this.bits(code, length + 1);
  }

  /** Signed Exp-Golomb, se(v). */
  se(value: number): void {
    this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  get aligned(): boolean {
    return this.used === 0;
  }

  alignWithZeros(): void {
    while (!this.aligned) this.bit(0);
  }

  /** rbsp_trailing_bits: a stop bit, then zeros to the byte boundary. */
  trailing(): Uint8Array {
    this.bit(1);
    this.alignWithZeros();
    return Uint8Array.from(this.bytes);
  }

  byte(value: number): void {
    if (this.aligned) this.bytes.push(value & 0xff);
    else this.bits(value, 8);
  }
}

/** NAL unit: header byte, then the RBSP with emulation-prevention bytes so no start code appears inside it. */
const nal = (refIdc: number, type: number, rbsp: Uint8Array): Uint8Array => {
  const out: number[] = [(refIdc << 5) | type];
  let zeros = 0;
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
};

export const H264_PROFILE_BASELINE = 66;
/** constraint_set0 and constraint_set1: Constrained Baseline. */
export const H264_CONSTRAINTS = 0xc0;
/** Level 3.0: room for the uncompressed bitrate of a small PCM picture. */
export const H264_LEVEL = 30;

export interface PictureSize {
  readonly width: number;
  readonly height: number;
}

const macroblocks = (pixels: number): number => Math.ceil(pixels / 16);

export const sequenceParameterSet = ({ width, height }: PictureSize): Uint8Array => {
  const w = new BitWriter();
  w.bits(H264_PROFILE_BASELINE, 8);
  w.bits(H264_CONSTRAINTS, 8);
  w.bits(H264_LEVEL, 8);
  w.ue(0); // seq_parameter_set_id
  w.ue(0); // log2_max_frame_num_minus4 → 4-bit frame_num
  w.ue(0); // pic_order_cnt_type 0
  w.ue(0); // log2_max_pic_order_cnt_lsb_minus4 → 4-bit POC lsb
  w.ue(1); // max_num_ref_frames
  w.bit(0); // gaps_in_frame_num_value_allowed_flag
  w.ue(macroblocks(width) - 1);
  w.ue(macroblocks(height) - 1);
  w.bit(1); // frame_mbs_only_flag
  w.bit(1); // direct_8x8_inference_flag
  const cropRight = (macroblocks(width) * 16 - width) / 2;
  const cropBottom = (macroblocks(height) * 16 - height) / 2;
  const cropping = cropRight > 0 || cropBottom > 0;
  w.bit(cropping ? 1 : 0);
  if (cropping) {
    // Offsets count 2-pixel units in 4:2:0 frames.
    w.ue(0);
    w.ue(cropRight);
    w.ue(0);
    w.ue(cropBottom);
  }
  w.bit(0); // vui_parameters_present_flag
  return nal(3, 7, w.trailing());
};

export const pictureParameterSet = (): Uint8Array => {
  const w = new BitWriter();
  w.ue(0); // pic_parameter_set_id
  w.ue(0); // seq_parameter_set_id
  w.bit(0); // entropy_coding_mode_flag: CAVLC
  w.bit(0); // bottom_field_pic_order_in_frame_present_flag
  w.ue(0); // num_slice_groups_minus1
  w.ue(0); // num_ref_idx_l0_default_active_minus1
  w.ue(0); // num_ref_idx_l1_default_active_minus1
  w.bit(0); // weighted_pred_flag
  w.bits(0, 2); // weighted_bipred_idc
  w.se(0); // pic_init_qp_minus26
  w.se(0); // pic_init_qs_minus26
  w.se(0); // chroma_qp_index_offset
  w.bit(1); // deblocking_filter_control_present_flag (the slices turn the filter off)
  w.bit(0); // constrained_intra_pred_flag
  w.bit(0); // redundant_pic_cnt_present_flag
  return nal(3, 8, w.trailing());
};

/** I_PCM's mb_type in an I slice. */
const MB_TYPE_I_PCM = 25;

/** Sample values for one picture: `luma(x, y)`, `cb(x, y)`, `cr(x, y)` on the coded (macroblock-aligned) grid. */
export interface PictureSource {
  luma(x: number, y: number): number;
  cb(x: number, y: number): number;
  cr(x: number, y: number): number;
}

/** One IDR picture: a single I slice of I_PCM macroblocks. `idrPicId` must differ between consecutive IDRs. */
export const idrPicture = (size: PictureSize, idrPicId: number, source: PictureSource): Uint8Array => {
  const w = new BitWriter();
  w.ue(0); // first_mb_in_slice
  w.ue(7); // slice_type: I (all slices of the picture)
  w.ue(0); // pic_parameter_set_id
  w.bits(0, 4); // frame_num
  w.ue(idrPicId % 65_536);
  w.bits(0, 4); // pic_order_cnt_lsb
  w.bit(0); // no_output_of_prior_pics_flag
  w.bit(0); // long_term_reference_flag
  w.se(0); // slice_qp_delta
  w.ue(1); // disable_deblocking_filter_idc: off
  // Samples are kept in 16..235 (video range): never zero, which also keeps start codes out of the payload.
  const clamp = (v: number): number => Math.max(16, Math.min(235, Math.round(v)));
  for (let my = 0; my < macroblocks(size.height); my++) {
    for (let mx = 0; mx < macroblocks(size.width); mx++) {
      w.ue(MB_TYPE_I_PCM);
      w.alignWithZeros();
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) w.byte(clamp(source.luma(mx * 16 + x, my * 16 + y)));
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) w.byte(clamp(source.cb(mx * 8 + x, my * 8 + y)));
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) w.byte(clamp(source.cr(mx * 8 + x, my * 8 + y)));
    }
  }
  return nal(3, 5, w.trailing());
};
