/** The subscription core: address rules, ports and use cases (double opt-in, links, feedback, operator). */
export * from './address.js';
export * from './confirm.js';
export * from './errors.js';
export * from './feedback.js';
export * from './links.js';
export * from './operator.js';
export * from './ports.js';
export * from './subscribe.js';
export * from './http.js';
