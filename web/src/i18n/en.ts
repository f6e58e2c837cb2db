import type zh from './zh-CN'

const en: typeof zh = {
  app: { title: 'Anjian · City Work-Safety Supervision', short: 'Anjian' },
  login: {
    title: 'City Work-Safety Supervision', username: 'Username', password: 'Password', submit: 'Log in', submitting: 'Logging in...',
    usernameRequired: 'Enter your username', passwordRequired: 'Enter your password', locked: 'Account locked', failed: 'Login failed',
  },
  pwd: {
    title: 'Change password', forcedHint: 'You are using an initial password. Change it before using the system.', old: 'Current password',
    new: 'New password', confirm: 'Confirm password',
    policy: 'At least {n} characters, with at least {k} of: upper-case letters, lower-case letters, digits, symbols; must differ from the current one.',
    mismatch: 'The passwords do not match', same: 'The new password must differ from the current one', tooShort: 'At least {n} characters',
    submit: 'Save', done: 'Password changed',
  },
  nav: {
    profile: 'Profile', changePwd: 'Change password', logout: 'Log out', logoutConfirm: 'Log out of the system?', tip: 'Notice',
    dark: 'Dark theme', lang: 'Language', closeOthers: 'Close others', closeAll: 'Close all', refresh: 'Refresh', close: 'Close',
  },
  route: { home: 'Home', dossier: 'Enterprise dossier', profile: 'Profile', changePwd: 'Change password' },
  menu: {
    enterprise: 'Enterprises', 'enterprise/list': 'Enterprise registry', system: 'System', monitor: 'Monitoring',
    'system/region': 'Regions', 'system/department': 'Departments', 'system/user': 'Users', 'system/role': 'Roles',
    'system/menu': 'Menus', 'system/dict': 'Dictionaries', 'system/param': 'Parameters',
    'monitor/online': 'Online users', 'monitor/operlog': 'Operation log', 'monitor/logininfor': 'Login log',
  },
  common: {
    search: 'Search', reset: 'Reset', add: 'Add', edit: 'Edit', remove: 'Delete', import: 'Import', export: 'Export',
    confirm: 'OK', cancel: 'Cancel', operate: 'Actions', tip: 'Notice', success: 'Done', columns: 'Columns',
    refresh: 'Refresh', detail: 'Details', yes: 'Yes', no: 'No', all: 'All', pendingModule: 'Coming with a later module',
    removeConfirm: 'Delete the {n} selected record(s)?', showSearch: 'Show/hide search', notFound: 'Page not found', back: 'Back home',
    noPermission: 'No permission',
  },
  home: {
    total: 'Enterprises', categories: 'Categories', districts: 'Districts', largestCategory: 'Largest category',
    byCategory: 'Enterprises by category', byDistrict: 'Enterprises by district', welcome: 'Welcome, {name}',
  },
  ent: {
    regionTree: 'Regions', regionFilter: 'Filter regions', name: 'Name', uscc: 'Credit code', category: 'Category',
    status: 'Status', scale: 'Scale', address: 'Address', industryCode: 'Industry code', employeeCount: 'Employees',
    principalName: 'Principal', principalPhone: 'Principal phone', safetyManagerName: 'Safety manager', safetyManagerPhone: 'Safety manager phone',
    contactPhone: 'Contact phone', region: 'Region', department: 'Department', longitude: 'Longitude', latitude: 'Latitude', remark: 'Remark',
    createdAt: 'Created', updatedAt: 'Updated', addTitle: 'Add enterprise', editTitle: 'Edit enterprise',
    placeholder: 'Enter {f}', selectPlaceholder: 'Select {f}', required: '{f} is required',
    usccLength: 'The credit code has 18 characters', usccCharset: 'Invalid character (digits and capitals except I, O, S, V, Z)',
    usccCheck: 'Wrong check character; the first 17 call for {c}', usccOk: 'Check character OK',
    lngRange: 'Longitude must be within -180..180', latRange: 'Latitude must be within -90..90', coordPair: 'Give both coordinates or neither',
    phone: 'Invalid phone number',
    importTitle: 'Import enterprises', importDrag: 'Drop an xlsx file here, or', importClick: 'click to upload', importTemplate: 'Download template',
    importValid: 'Import only the valid rows', importHint: 'xlsx only, up to 10 MB.', importErrors: 'Errors',
    row: 'Row', column: 'Column', message: 'Reason', importResult: '{total} rows, {valid} valid, {imported} imported',
    chooseFile: 'Choose a file to import', exportXlsx: 'Export Excel', exportCsv: 'Export CSV',
    dossier: 'Dossier', basic: 'Basic information', accounts: 'Accounts',
    tabs: { risk: 'Risks', hazard: 'Hidden dangers', majorHazard: 'Major hazards', device: 'Sensors', alarm: 'Alarms', accident: 'Accidents', enforcement: 'Enforcement', training: 'Training' },
  },
}
export default en
