// The access token format the client chose (bank-op sandbox extension, provider/access-token-format.ts):
// JWT access tokens (RFC 9068) unless it asks for opaque ones that bank-api introspects (RFC 7662).
import {
  ACCESS_TOKEN_FORMAT_FIX,
  ACCESS_TOKEN_FORMAT_METADATA,
  isAccessTokenFormat,
} from '../../provider/access-token-format.js';
import { invalidMetadata, type MetadataCheck } from './context.js';

export const accessTokenFormat: MetadataCheck = {
  name: 'access token format',
  run({ request, metadata }) {
    const requested = request[ACCESS_TOKEN_FORMAT_METADATA];
    if (requested === undefined || requested === null) return;
    if (!isAccessTokenFormat(requested)) {
      throw invalidMetadata(
        `${ACCESS_TOKEN_FORMAT_METADATA} ${JSON.stringify(requested)} is not a format this bank issues`,
        'RFC 9068 §1, RFC 7662 §1, a bank-op sandbox extension',
        ACCESS_TOKEN_FORMAT_FIX,
      );
    }
    metadata[ACCESS_TOKEN_FORMAT_METADATA] = requested;
  },
};
