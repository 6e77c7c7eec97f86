// oidc-provider's own grant revocation (lib/helpers/revoke.js, oidc-provider 9.13.3, pinned in
// package.json): what it runs when it sees a code or refresh token used twice. It has no type of its own.
declare module 'oidc-provider/lib/helpers/revoke.js' {
  import type { KoaContextWithOIDC } from 'oidc-provider';
  export default function revoke(ctx: KoaContextWithOIDC, grantId: string | undefined): Promise<void>;
}
