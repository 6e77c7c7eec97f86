import { Router } from 'express';
import type { DirectoryServices } from '../services.js';

export function portalPageRoutes(_services: DirectoryServices): Router {
  return Router();
}
