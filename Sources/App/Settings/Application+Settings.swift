import Vapor

extension Application {
    /// What `configure(_:settings:)` always stores: its absence is a programming error, said plainly.
    func configured<Key: StorageKey>(_ key: Key.Type) -> Key.Value {
        guard let value = storage[key] else { fatalError("configure(_:settings:) sets \(Key.self)") }
        return value
    }
}

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = AppSettings }

    var settings: AppSettings {
        get { configured(SettingsKey.self) }
        set { storage[SettingsKey.self] = newValue }
    }
}

extension Application {
    private struct ResourceLocationKey: StorageKey { typealias Value = ResourceLocation }

    /// Where the templates, static files and API description were found (`configure` sets `directory` from it).
    var resourceLocation: ResourceLocation {
        get { storage[ResourceLocationKey.self] ?? ResourceLocation(root: directory.workingDirectory, missing: []) }
        set { storage[ResourceLocationKey.self] = newValue }
    }
}
