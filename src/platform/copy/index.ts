export { encodeCopyRow, encodeCopyText, type CopyValue } from './copy-text.ts';
export {
  BufferPool,
  ByteBuilder,
  CopyRowsBuilder,
  pickCopyRows,
  Uint32List,
  type CopyRowBytes,
} from './copy-buffer.ts';
export { BinaryRowsBuilder, binaryCopyParts, encodeBinaryField } from './copy-binary.ts';
