export const EVENTS_NAMESPACE = '/events';
