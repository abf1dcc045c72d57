/**
 * The on-chain interfaces the gateway calls, written as viem `parseAbi` human-readable signatures (`as const`, so
 * viem still types every call). They are the real contracts' interfaces (USDC FiatToken v2.2, Uniswap Permit2, the
 * x402 upto proxy); a test checks that the locally compiled contracts expose every entry here.
 */
import { parseAbi } from 'viem';

export const usdcAbi = parseAbi([
  'function name() view returns (string)',
  'function version() view returns (string)',
  'function decimals() view returns (uint8)',
  'function balanceOf(address account) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)',
  'function transferWithAuthorization(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce, bytes signature)',
  'event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
] as const);

/** EIP-5267, for tokens that publish their EIP-712 domain (real USDC does not; it has name() and version()). */
export const eip5267Abi = parseAbi([
  'function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)',
] as const);

export const permit2Abi = parseAbi([
  'function nonceBitmap(address, uint256) view returns (uint256)',
  'function DOMAIN_SEPARATOR() view returns (bytes32)',
] as const);

export const uptoProxyAbi = parseAbi([
  'struct TokenPermissions { address token; uint256 amount; }',
  'struct PermitTransferFrom { TokenPermissions permitted; uint256 nonce; uint256 deadline; }',
  'struct Witness { address to; address facilitator; uint256 validAfter; }',
  'function settle(PermitTransferFrom permit, uint256 amount, address owner, Witness witness, bytes signature)',
  'function PERMIT2() view returns (address)',
  // The proxy's own errors, then Permit2's (a settle reverts with whichever contract refused), so viem can name them.
  'error AmountExceedsPermitted()',
  'error UnauthorizedFacilitator()',
  'error InvalidAmount()',
  'error InvalidOwner()',
  'error InvalidDestination()',
  'error PaymentTooEarly()',
  'error InvalidNonce()',
  'error InvalidSignature()',
  'error InvalidSigner()',
  'error InvalidSignatureLength()',
  'error InvalidContractSignature()',
  'error SignatureExpired(uint256 signatureDeadline)',
] as const);
