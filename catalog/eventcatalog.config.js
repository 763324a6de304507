/** @type {import('@eventcatalog/core/bin/eventcatalog.config').Config} */
export default {
  // EventCatalog wants an id per catalog; this one is EcommerceEda's.
  cId: '6f1d2c3e-5a4b-4c8d-9e7f-0a1b2c3d4e5f',
  title: 'EcommerceEda',
  tagline: 'Orders, Warehouse, Delivery and Support cooperating through RabbitMQ: every message, who sends it, who consumes it',
  organizationName: 'EcommerceEda',
  output: 'static',
  trailingSlash: false,
  base: '/',
  docs: {
    sidebar: {
      type: 'TREE_VIEW',
    },
  },
};
