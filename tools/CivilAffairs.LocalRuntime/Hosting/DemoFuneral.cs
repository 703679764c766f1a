namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    /// <summary>The city funeral home (广州市殡仪馆): channel of the funeral-staff-a/-b accounts.</summary>
    public const string FuneralHome = "gz-funeral-home";

    /// <summary>A cemetery with a columbarium (银河园): channel of the cemetery-yinhe account.</summary>
    public const string Cemetery = "gz-yinhe";
}
