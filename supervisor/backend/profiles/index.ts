import type { BackendProfile } from '../contract.js';
import { seedProfile } from './seed.js';
import { whatsamProfile } from './whatsam.js';

export function profileFor(name: 'seed' | 'whatsam'): BackendProfile {
  return name === 'whatsam' ? whatsamProfile : seedProfile;
}
export { seedProfile, whatsamProfile };
