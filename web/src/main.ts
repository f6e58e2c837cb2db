import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import 'element-plus/theme-chalk/dark/css-vars.css'
import './styles/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setupRouterGuards } from './permission'
import { useUserStore } from './store/user'
import { useSettingsStore } from './store/settings'
import { createHasPermi, createHasRole } from './directives/hasPermi'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(ElementPlus)

const user = useUserStore()
app.directive('hasPermi', createHasPermi(() => user.permissions))
app.directive('hasRole', createHasRole(() => user.roles))

const settings = useSettingsStore()
i18n.global.locale.value = settings.lang
settings.setDark(settings.dark)
settings.applyWidth(window.innerWidth)
window.addEventListener('resize', () => settings.applyWidth(window.innerWidth))

setupRouterGuards()
app.use(router)
app.mount('#app')
