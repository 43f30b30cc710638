import { chatLogin } from './chatLogin.ts';

/** `npm run youtube -- login`: the OAuth consent flow for replies in YouTube chat. */
await chatLogin('youtube', process.argv.slice(2));
process.exit(0);
