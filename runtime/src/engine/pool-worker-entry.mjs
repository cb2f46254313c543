// Worker threads do not inherit loaders registered at run time, so this entry registers
// the TypeScript loader before importing the real task module.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./pool-worker.ts');
export default mod.default;
