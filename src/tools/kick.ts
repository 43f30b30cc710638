import { chatLogin } from './chatLogin.ts';

/** `npm run kick -- login`: the OAuth 2.1 (PKCE) flow for replies in Kick chat. */
await chatLogin('kick', process.argv.slice(2));
process.exit(0);
