export { encodeSnapshot, type EncodeInput, type Encoded } from './encode.js';
export { decodeSnapshot, inspectSnapshot, type Decoded, type Expectation } from './decode.js';
export { keyIdOf, keysFromBase64, toEncryptionKeys, type EncryptionKey } from './keys.js';
export { isSafeFileName } from './payload.js';
export { FORMAT_VERSION } from './framing.js';
