/** PNG dimensions from the IHDR chunk, which the format requires to come first. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

export const readPngSize = (bytes: Uint8Array): ImageSize | undefined => {
  if (bytes.length < 24 || bytes[12] !== 0x49 || bytes[13] !== 0x48 || bytes[14] !== 0x44 || bytes[15] !== 0x52) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
};

export const sizeLabel = (size: ImageSize): string => `${size.width}x${size.height}`;
