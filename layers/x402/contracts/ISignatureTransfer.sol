// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title ISignatureTransfer
 * @notice The part of Uniswap Permit2's SignatureTransfer interface that x402 uses, with identical struct layouts
 *         and selectors, so code compiled against the canonical Permit2 calls this one unchanged.
 */
interface ISignatureTransfer {
    /// @notice A token and the most a signature lets a spender move of it.
    struct TokenPermissions {
        address token;
        uint256 amount;
    }

    /// @notice The message a token owner signs for one transfer.
    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice Where the spender sends the tokens, and how many (at most `permitted.amount`).
    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    error InvalidNonce();
    error SignatureExpired(uint256 signatureDeadline);
    error InvalidAmount(uint256 maxAmount);

    event UnorderedNonceInvalidation(address indexed owner, uint256 word, uint256 mask);

    function nonceBitmap(address owner, uint256 wordPos) external view returns (uint256);

    function permitTransferFrom(
        PermitTransferFrom memory permit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes calldata signature
    ) external;

    function permitWitnessTransferFrom(
        PermitTransferFrom memory permit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes32 witness,
        string calldata witnessTypeString,
        bytes calldata signature
    ) external;

    function invalidateUnorderedNonces(uint256 wordPos, uint256 mask) external;
}
