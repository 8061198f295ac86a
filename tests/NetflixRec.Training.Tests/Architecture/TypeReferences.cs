using System.Reflection;
using System.Reflection.Emit;

namespace NetflixRec.Training.Tests.Architecture;

/// <summary>
/// Which namespaces each namespace of an assembly uses: the types named in every declaration (base types, interfaces,
/// fields, properties, method signatures, attributes, locals) and every type, method or field a method body refers to
/// (IL tokens). Compiler-generated closures and state machines are nested types, so they count for their declaring
/// type's namespace.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic |
        BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>For each namespace of <paramref name="assembly"/> (from its types), the namespaces its types reference.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> ByNamespace(Assembly assembly)
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes())
        {
            if (type.Namespace is not { } from)
            {
                continue;
            }

            if (!edges.TryGetValue(from, out HashSet<string>? to))
            {
                edges[from] = to = new HashSet<string>(StringComparer.Ordinal);
            }

            foreach (Type used in Of(type))
            {
                if (used.Namespace is { } name)
                {
                    to.Add(name);
                }
            }
        }

        return edges.ToDictionary(e => e.Key, e => (IReadOnlySet<string>)e.Value, StringComparer.Ordinal);
    }

    /// <summary>Every type <paramref name="type"/>'s own declarations and method bodies refer to.</summary>
    public static IEnumerable<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter || !found.Add(t))
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
            }

            if (t.IsGenericType)
            {
                foreach (Type argument in t.GetGenericArguments())
                {
                    Add(argument);
                }

                if (!t.IsGenericTypeDefinition)
                {
                    Add(t.GetGenericTypeDefinition());
                }
            }
        }

        Add(type.BaseType);
        foreach (Type i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (CustomAttributeData a in type.CustomAttributes)
        {
            Add(a.AttributeType);
        }

        foreach (MemberInfo member in type.GetMembers(Declared))
        {
            foreach (CustomAttributeData a in member.CustomAttributes)
            {
                Add(a.AttributeType);
            }

            switch (member)
            {
                case FieldInfo field:
                    Add(field.FieldType);
                    break;
                case PropertyInfo property:
                    Add(property.PropertyType);
                    break;
                case EventInfo e:
                    Add(e.EventHandlerType);
                    break;
                case MethodBase method:
                    AddMethod(method, type.Module, Add);
                    break;
            }
        }

        return found;
    }

    private static void AddMethod(MethodBase method, Module module, Action<Type?> add)
    {
        if (method is MethodInfo info)
        {
            add(info.ReturnType);
        }

        foreach (ParameterInfo parameter in method.GetParameters())
        {
            add(parameter.ParameterType);
        }

        MethodBody? body = method.GetMethodBody();
        if (body is null)
        {
            return;
        }

        foreach (LocalVariableInfo local in body.LocalVariables)
        {
            add(local.LocalType);
        }

        byte[] il = body.GetILAsByteArray() ?? [];
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            OpCode op = il[i] == 0xFE ? s_opCodes[BitConverter.ToInt16([il[i + 1], 0xFE])] : s_opCodes[il[i]];
            i += op.Size;
            int operand = OperandSize(op, il, i);
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                MemberInfo? resolved = module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                switch (resolved)
                {
                    case Type t:
                        add(t);
                        break;
                    case FieldInfo f:
                        add(f.DeclaringType);
                        add(f.FieldType);
                        break;
                    case MethodBase m:
                        add(m.DeclaringType);
                        if (m is MethodInfo { IsGenericMethod: true } generic)
                        {
                            foreach (Type argument in generic.GetGenericArguments())
                            {
                                add(argument);
                            }
                        }

                        break;
                }
            }

            i += operand;
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
