namespace RagFood.Server.Composition;

/// <summary>Wraps an already registered service in a decorator, keeping its lifetime and its place in the collection.</summary>
/// <remarks>Lets telemetry and usage counting layer themselves over registrations owned by other code (the providers'
/// keyed stores, the embedding generator, the chat client) without editing those registrations. The last registration
/// for the service type and key is the one decorated (the one the container resolves).</remarks>
internal static class ServiceDecoration
{
    /// <summary>Decorates the unkeyed registration of <typeparamref name="T"/>; <c>false</c> when there is none.</summary>
    public static bool Decorate<T>(this IServiceCollection services, Func<T, IServiceProvider, T> decorate)
        where T : class => Decorate(services, null, decorate);

    /// <summary>Decorates the registration of <typeparamref name="T"/> under <paramref name="key"/> (unkeyed when <c>null</c>).</summary>
    public static bool Decorate<T>(this IServiceCollection services, object? key, Func<T, IServiceProvider, T> decorate)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(decorate);
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var original = services[i];
            if (original.ServiceType != typeof(T) || original.IsKeyedService != (key is not null) || !Equals(original.ServiceKey, key))
            {
                continue;
            }

            // The original stays registered, under a key of its own, so the container still creates and disposes it.
            var innerKey = new InnerKey(typeof(T), key);
            services[i] = key is null
                ? new ServiceDescriptor(typeof(T), sp => decorate(sp.GetRequiredKeyedService<T>(innerKey), sp), original.Lifetime)
                : new ServiceDescriptor(typeof(T), key, (sp, _) => decorate(sp.GetRequiredKeyedService<T>(innerKey), sp), original.Lifetime);
            services.Add(Rekey(original, innerKey));
            return true;
        }

        return false;
    }

    /// <summary>The keys under which <typeparamref name="T"/> is registered (not counting decorated originals).</summary>
    public static IReadOnlyList<object> KeysOf<T>(this IServiceCollection services) =>
        services.Where(d => d.ServiceType == typeof(T) && d.IsKeyedService && d.ServiceKey is not null and not InnerKey)
            .Select(d => d.ServiceKey!)
            .Distinct()
            .ToList();

    private static ServiceDescriptor Rekey(ServiceDescriptor descriptor, InnerKey key)
    {
        if (descriptor.IsKeyedService)
        {
            var originalKey = descriptor.ServiceKey;
            return descriptor.KeyedImplementationInstance is { } keyedInstance
                ? new ServiceDescriptor(descriptor.ServiceType, key, keyedInstance)
                : descriptor.KeyedImplementationFactory is { } keyedFactory
                    ? new ServiceDescriptor(descriptor.ServiceType, key, (sp, _) => keyedFactory(sp, originalKey), descriptor.Lifetime)
                    : new ServiceDescriptor(descriptor.ServiceType, key, descriptor.KeyedImplementationType!, descriptor.Lifetime);
        }

        return descriptor.ImplementationInstance is { } instance
            ? new ServiceDescriptor(descriptor.ServiceType, key, instance)
            : descriptor.ImplementationFactory is { } factory
                ? new ServiceDescriptor(descriptor.ServiceType, key, (sp, _) => factory(sp), descriptor.Lifetime)
                : new ServiceDescriptor(descriptor.ServiceType, key, descriptor.ImplementationType!, descriptor.Lifetime);
    }

    /// <summary>A key no other registration uses: compared by reference.</summary>
    private sealed class InnerKey(Type serviceType, object? decoratedKey)
    {
        public override string ToString() => $"decorated {serviceType.Name} {decoratedKey}";
    }
}
